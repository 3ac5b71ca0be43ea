// The link's proxy is disabled: its connections are closed and new ones refused; the heal enables
// it.

import { linkFault, linksOf } from './link.ts';

export const linkDown = linkFault('link-down', async (ctx, f) => {
  const links = linksOf(ctx);
  await links.setEnabled(f.target, false);
  return async () => void (await links.setEnabled(f.target, true));
});
