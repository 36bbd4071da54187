/**
 * Colours, line dashes and markers of the report. Colours are the Okabe–Ito palette (Okabe & Ito,
 * "Color Universal Design", 2008; recommended by Wong, Nature Methods 8:441, 2011), distinguishable
 * under the common colour-vision deficiencies; every policy also has its own dash pattern and marker
 * so the charts still read in greyscale print.
 */

/** The eight Okabe–Ito colours. */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** How one policy is drawn everywhere in the report. */
export interface SeriesStyle {
  readonly color: string;
  /** echarts lineStyle.type: 'solid', 'dashed', 'dotted' or a dash array in px. */
  readonly dash: 'solid' | 'dashed' | 'dotted' | readonly number[];
  /** echarts symbol name. */
  readonly symbol: 'circle' | 'triangle' | 'rect' | 'diamond' | 'roundRect' | 'pin' | 'arrow';
}

const KNOWN: Readonly<Record<string, SeriesStyle>> = {
  prescale: { color: OKABE_ITO.blue, dash: 'solid', symbol: 'circle' },
  reactive: { color: OKABE_ITO.vermillion, dash: 'dashed', symbol: 'triangle' },
  'predictive-hourly': { color: OKABE_ITO.bluishGreen, dash: 'dotted', symbol: 'rect' },
  oracle: { color: OKABE_ITO.black, dash: [8, 3, 2, 3], symbol: 'diamond' },
};

const OTHERS: readonly SeriesStyle[] = [
  { color: OKABE_ITO.orange, dash: [12, 4], symbol: 'roundRect' },
  { color: OKABE_ITO.reddishPurple, dash: [2, 2], symbol: 'pin' },
  { color: OKABE_ITO.skyBlue, dash: [6, 2, 6, 6], symbol: 'arrow' },
];

/**
 * The style of a policy: fixed for the four built-in policies, otherwise by its position among the
 * other (unknown) policies of the report so each stays distinct up to three extra policies.
 */
export function policyStyle(policy: string, allPolicies: readonly string[]): SeriesStyle {
  const known = KNOWN[policy];
  if (known) return known;
  const others = allPolicies.filter((p) => !KNOWN[p]);
  const i = Math.max(0, others.indexOf(policy));
  return OTHERS[i % OTHERS.length];
}

/** Market colours: spot sky blue, on-demand orange (with an outline pattern in bars). */
export const MARKET_COLORS = { spot: OKABE_ITO.skyBlue, onDemand: OKABE_ITO.orange } as const;

/** Demand line and forecast band colours. */
export const DEMAND_COLOR = '#333333';
export const BAND_COLOR = OKABE_ITO.skyBlue;

/** Event kinds' colour and marker. */
export const EVENT_STYLES: Readonly<Record<string, { readonly color: string; readonly symbol: SeriesStyle['symbol']; readonly label: string }>> = {
  'spot-interruption': { color: OKABE_ITO.vermillion, symbol: 'triangle', label: 'spot interruption' },
  'variant-switch': { color: OKABE_ITO.blue, symbol: 'diamond', label: 'variant switch' },
  'prefetch-hit': { color: OKABE_ITO.bluishGreen, symbol: 'circle', label: 'prefetch hit' },
  'prefetch-waste': { color: OKABE_ITO.orange, symbol: 'rect', label: 'prefetch wasted' },
  launch: { color: OKABE_ITO.skyBlue, symbol: 'arrow', label: 'launch' },
  termination: { color: OKABE_ITO.reddishPurple, symbol: 'pin', label: 'termination' },
};
