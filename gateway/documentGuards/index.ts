/**
 * Document guards and cost analysis: limits on what one GraphQL request may
 * ask (size, depth, aliases, root fields, directives, fragment cycles,
 * estimated cost), checked before validation, planning and any fetch.
 */
export { type CostEstimate, estimateCost } from './costAnalysis.js';
export { type CostModel, createCostModel, type ListSize } from './costModel.js';
export {
  createDocumentGuardsStage,
  type DocumentGuardsOptions,
  type DocumentGuardsStage,
} from './documentGuardsStage.js';
export { type GuardLimits, INTROSPECTION_LIMITS } from './guardLimits.js';
export { checkDocument, checkSource, type LimitSource } from './guards.js';
export { type DocumentMeasure, measureDocument } from './measureDocument.js';
export { measureSource, type SourceMeasure } from './measureSource.js';
