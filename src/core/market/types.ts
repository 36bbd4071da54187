/** Price rows the market model consumes: defined once in core/model (shared with the PriceCatalog port). */
export type { InstanceTypePrice } from '../model/offering.js';
