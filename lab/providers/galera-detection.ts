// Galera's failure-detection settings (the evs.* provider options) as a scenario gives them:
// `topology.failureDetection` picks the base (Galera's defaults, or `fast`), and `topology.galera`
// overrides single settings. Pure: the options string each node starts with, and the settings a
// report states.
//
// Galera's defaults (MariaDB Galera 4, the values every node prints at start in its .err log under
// "Passing config to GCS"): evs.suspect_timeout PT5S (a node silent this long is suspected, and
// evicted once every other member suspects it), evs.inactive_timeout PT15S (silent this long:
// evicted whatever the others say), evs.inactive_check_period PT0.5S (how often silence is
// checked), evs.keepalive_period PT1S (how often an idle node says it is alive),
// evs.install_timeout PT7.5S (how long the new view's installation may take). Together they set the
// "failure detection" part of an outage: how long the whole cluster waits before it goes on without
// a node.

export interface GaleraDetection {
  /** Seconds each. */
  suspectTimeout: number;
  inactiveTimeout: number;
  inactiveCheckPeriod: number;
  keepalivePeriod: number;
  installTimeout: number;
}

export const GALERA_DEFAULT_DETECTION: Readonly<GaleraDetection> = {
  suspectTimeout: 5,
  inactiveTimeout: 15,
  inactiveCheckPeriod: 0.5,
  keepalivePeriod: 1,
  installTimeout: 7.5,
};

/** `failureDetection: fast`: a departed node is noticed in ~3 s, not ~5.5 s. */
export const FAST_DETECTION: Readonly<Partial<GaleraDetection>> = {
  suspectTimeout: 2,
  inactiveTimeout: 3,
  keepalivePeriod: 0.5,
};

const OPTION: Record<keyof GaleraDetection, string> = {
  suspectTimeout: 'evs.suspect_timeout',
  inactiveTimeout: 'evs.inactive_timeout',
  keepalivePeriod: 'evs.keepalive_period',
  inactiveCheckPeriod: 'evs.inactive_check_period',
  installTimeout: 'evs.install_timeout',
};

/** The settings a scenario asks for: its base, then its overrides (only those it sets). */
export function requestedDetection(
  base: 'default' | 'fast',
  overrides: Partial<GaleraDetection>,
): Partial<GaleraDetection> {
  const out: Partial<GaleraDetection> = base === 'fast' ? { ...FAST_DETECTION } : {};
  for (const k of Object.keys(OPTION) as (keyof GaleraDetection)[])
    if (overrides[k] !== undefined) out[k] = overrides[k];
  return out;
}

/** What the nodes run with: Galera's defaults under the requested settings. */
export const effectiveDetection = (requested: Partial<GaleraDetection>): GaleraDetection => ({
  ...GALERA_DEFAULT_DETECTION,
  ...requested,
});

/** ISO-8601 durations as Galera reads them: PT2S, PT0.5S. */
const iso = (secs: number): string => `PT${Number(secs.toFixed(3))}S`;

/** The wsrep_provider_options part for the requested settings ('' when none: Galera's defaults). */
export function detectionProviderOptions(requested: Partial<GaleraDetection>): string {
  return (Object.keys(OPTION) as (keyof GaleraDetection)[])
    .filter((k) => requested[k] !== undefined)
    .map((k) => `${OPTION[k]}=${iso(requested[k]!)}`)
    .join(';');
}

/**
 * The problem lines of a combination Galera would refuse or that cannot work, naming the fields.
 */
export function detectionProblems(requested: Partial<GaleraDetection>): string[] {
  const d = effectiveDetection(requested);
  const out: string[] = [];
  if (d.suspectTimeout > d.inactiveTimeout)
    out.push(
      `topology.galera.suspectTimeout: ${d.suspectTimeout} s is longer than inactiveTimeout ${d.inactiveTimeout} s; a node is evicted at the inactive timeout whatever the suspicion, so keep suspectTimeout ≤ inactiveTimeout`,
    );
  if (d.inactiveCheckPeriod > d.suspectTimeout)
    out.push(
      `topology.galera.inactiveCheckPeriod: ${d.inactiveCheckPeriod} s is longer than suspectTimeout ${d.suspectTimeout} s; set it shorter (Galera's default is 0.5 s)`,
    );
  if (d.keepalivePeriod >= d.suspectTimeout)
    out.push(
      `topology.galera.keepalivePeriod: ${d.keepalivePeriod} s is not shorter than suspectTimeout ${d.suspectTimeout} s; an idle healthy node would be suspected; set it shorter`,
    );
  return out;
}

/** One line for a report: the settings in use, with Galera's names. */
export function describeDetection(requested: Partial<GaleraDetection>): string {
  const d = effectiveDetection(requested);
  const tag = (k: keyof GaleraDetection) => (requested[k] === undefined ? '' : ' (set)');
  return (Object.keys(OPTION) as (keyof GaleraDetection)[])
    .map((k) => `${OPTION[k]} ${d[k]} s${tag(k)}`)
    .join(', ');
}
