// The image catalogue: which image references the lab's engine can "pull", and what runs when a
// container of one starts. There are no layers and no registry: an image is a name mapped to
// something installed on this machine, and pulling only checks that it is installed.
//
//   mariadb[:tag], library/mariadb, docker.io/library/mariadb   → Debian's mariadbd + galera-4,
//       through an entrypoint with the official image's semantics (entrypoints/mariadb.ts)
//   ghcr.io/shopify/toxiproxy, shopify/toxiproxy                 → the lab's Toxiproxy-compatible
//   server hashicorp/consul, consul                                     → the lab's
//   Consul-compatible agent
//
// Any other reference fails the pull with 404 {"message": …}, as a registry without the
// repository does.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EngineError, notFound } from './errors.ts';

export type ImageKind = 'mariadb' | 'toxiproxy' | 'consul';

export interface ImageRef {
  /** Repository without registry defaults, e.g. "mariadb", "ghcr.io/shopify/toxiproxy". */
  repository: string;
  tag: string;
}

interface CatalogueEntry {
  kind: ImageKind;
  repositories: string[];
  exposed: string[];
  /** The image's default command (Config.Cmd). */
  cmd: string[];
  /** Files this machine needs to run it. */
  needs: string[];
  needsHint: string;
}

const CATALOGUE: CatalogueEntry[] = [
  {
    kind: 'mariadb',
    repositories: ['mariadb', 'library/mariadb', 'docker.io/library/mariadb', 'docker.io/mariadb'],
    exposed: ['3306/tcp'],
    cmd: ['mariadbd'],
    needs: [
      '/usr/sbin/mariadbd',
      '/usr/lib/galera/libgalera_smm.so',
      '/usr/bin/mariadb-install-db',
      '/usr/bin/rsync',
    ],
    needsHint: 'install mariadb-server, galera-4 and rsync (npm run setup)',
  },
  {
    kind: 'toxiproxy',
    repositories: ['ghcr.io/shopify/toxiproxy', 'shopify/toxiproxy', 'docker.io/shopify/toxiproxy'],
    exposed: ['8474/tcp'],
    cmd: ['-host=0.0.0.0'],
    needs: [],
    needsHint: '',
  },
  {
    kind: 'consul',
    repositories: ['hashicorp/consul', 'consul', 'library/consul', 'docker.io/hashicorp/consul'],
    exposed: ['8500/tcp', '8600/udp'],
    cmd: ['agent', '-dev', '-client', '0.0.0.0'],
    needs: [],
    needsHint: '',
  },
];

/**
 * "mariadb:11.4" → {mariadb, 11.4}; "host:5000/x" keeps the port; no tag is "latest"; a digest is
 * its own tag.
 */
export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  if (at >= 0) return { repository: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/'))
    return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: 'latest' };
}

export const formatImageRef = (r: ImageRef) =>
  `${r.repository}${r.tag.includes(':') ? '@' : ':'}${r.tag}`;

export function catalogueEntry(ref: string): CatalogueEntry | null {
  const { repository } = parseImageRef(ref);
  return CATALOGUE.find((e) => e.repositories.includes(repository.toLowerCase())) ?? null;
}

export function imageKind(ref: string): ImageKind | null {
  return catalogueEntry(ref)?.kind ?? null;
}

export interface Image {
  id: string;
  ref: string;
  kind: ImageKind;
  created: string;
}

const imageId = (ref: string) =>
  `sha256:${createHash('sha256').update(`bbs-lab-image:${ref}`).digest('hex')}`;

/** The images pulled into this engine. */
export class ImageStore {
  private readonly images = new Map<string, Image>();

  /**
   * The pull: the image must be in the catalogue (404 otherwise) and runnable here (500 otherwise).
   */
  pull(fromImage: string, tag: string | undefined): Image {
    const ref = formatImageRef(
      tag ? { repository: parseImageRef(fromImage).repository, tag } : parseImageRef(fromImage),
    );
    const entry = catalogueEntry(ref);
    if (!entry) {
      throw new EngineError(
        404,
        `pull access denied for ${parseImageRef(ref).repository}, repository does not exist or may require 'docker login': the lab's engine runs only ${CATALOGUE.map((e) => e.repositories[0]).join(', ')}`,
      );
    }
    const missing = entry.needs.filter((p) => !existsSync(p));
    if (missing.length > 0)
      throw new EngineError(
        500,
        `image ${ref}: this machine lacks ${missing.join(', ')}: ${entry.needsHint}`,
      );
    const existing = this.images.get(ref);
    if (existing) return existing;
    const image: Image = {
      id: imageId(ref),
      ref,
      kind: entry.kind,
      created: new Date().toISOString(),
    };
    this.images.set(ref, image);
    return image;
  }

  /**
   * By reference ("mariadb:11.4", "mariadb" = "mariadb:latest") or id (full or a prefix of 12+).
   */
  get(name: string): Image {
    const ref = formatImageRef(parseImageRef(name));
    const byRef = this.images.get(ref);
    if (byRef) return byRef;
    const bare = name.replace(/^sha256:/, '');
    if (bare.length >= 12) {
      for (const i of this.images.values()) if (i.id.slice(7).startsWith(bare)) return i;
    }
    throw notFound('image', name);
  }

  list(): Image[] {
    return [...this.images.values()];
  }
}

export function imageInspect(i: Image): Record<string, unknown> {
  const entry = catalogueEntry(i.ref)!;
  return {
    Id: i.id,
    RepoTags: [i.ref],
    RepoDigests: [],
    Created: i.created,
    Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    Os: 'linux',
    Size: 0,
    Config: {
      Cmd: entry.cmd,
      Entrypoint: null,
      Env: [],
      ExposedPorts: Object.fromEntries(entry.exposed.map((p) => [p, {}])),
      Labels: { 'org.bbs-lab.image': entry.kind },
    },
    RootFS: { Type: 'layers', Layers: [] },
  };
}

export function defaultCmd(kind: ImageKind): string[] {
  return CATALOGUE.find((e) => e.kind === kind)!.cmd;
}
