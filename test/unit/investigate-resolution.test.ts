// The seed count's own limit on separation (charter at 6 seeds, 266 comparisons): with n pairs the
// exact signed-rank p is never below 2/2^n, so above Holm's strictest level nothing can pass.
import test from 'ava';
import { pairsToPassHolm, signedRank, smallestSignedRankP } from '../../lab/investigate/paired.ts';
import { resolutionNote } from '../../lab/investigate/render.ts';
import type { CampaignFigures } from '../../lab/investigate/aggregate.ts';

test('the smallest p is the one-sign case of the exact test: 2/2^n', (t) => {
  t.is(smallestSignedRankP(6), 0.03125);
  t.is(signedRank([1, 2, 3, 4, 5, 6]).p, 0.03125);
  t.is(signedRank([-0.5, -2, -3, -4, -5, -6]).p, smallestSignedRankP(6));
  t.is(smallestSignedRankP(1), 1);
  t.is(smallestSignedRankP(0), 1);
});

test('pairs to pass Holm: 0.05/266 = 1.88e-4 needs 2/2^14 = 1.22e-4 (2/2^13 = 2.44e-4 is above)', (t) => {
  t.is(pairsToPassHolm(266, 0.05), 14);
  // One comparison: 2/2^5 = 0.0625 > 0.05, 2/2^6 = 0.031.
  t.is(pairsToPassHolm(1, 0.05), 6);
});

const figures = (
  pairs: number,
  comparisons: number,
): Pick<CampaignFigures, 'questions' | 'alpha' | 'comparisonsMade'> =>
  ({
    alpha: 0.05,
    comparisonsMade: comparisons,
    questions: [
      {
        comparisons: [
          { made: true, diffs: [...Array.from({ length: pairs }, (_, i) => i + 1), 0] },
          { made: false, diffs: Array.from({ length: 40 }, () => 1) },
        ],
      },
    ],
  }) as unknown as Pick<CampaignFigures, 'questions' | 'alpha' | 'comparisonsMade'>;

test('the note says when no comparison can pass, with the seeds that could, and is silent otherwise', (t) => {
  const note = resolutionNote(figures(6, 266));
  t.regex(note, /With at most 6 pairs the smallest p the test can give is 0\.031/);
  t.regex(note, /Holm's strictest level 1\.9e-4 \(0\.05 \/ 266\)/);
  t.regex(note, /count on 14 seeds per variant/);
  // 7 pairs, 3 comparisons: 2/128 = 0.0156 ≤ 0.05/3 = 0.0167, a separation is possible.
  t.is(resolutionNote(figures(7, 3)), '');
  // A zero difference is no pair for the test: 6 non-zero of 7.
  t.regex(
    resolutionNote(figures(6, 3)),
    /at most 6 pairs .* 0\.031 .* 0\.017 \(0\.05 \/ 3\).* 7 seeds/,
  );
});
