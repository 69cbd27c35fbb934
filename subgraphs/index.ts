import { civilStatus } from './civil-status/index.js';
import { education } from './education/index.js';
import { employment } from './employment/index.js';
import { familyBenefits } from './family-benefits/index.js';
import type { DataHolder, DataHolderName } from './kit/index.js';
import { tax } from './tax/index.js';

/** The five fictitious data holders of the sandbox, by name. */
export const DATA_HOLDER_DEFINITIONS = {
  'civil-status': civilStatus,
  'family-benefits': familyBenefits,
  tax,
  employment,
  education,
} as const satisfies Record<DataHolderName, DataHolder>;
