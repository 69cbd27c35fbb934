import { civilStatus } from './civil-status/index.js';
import { education } from './education/index.js';
import { employment } from './employment/index.js';
import { familyBenefits } from './family-benefits/index.js';
import type { DataHolderDefinition, DataHolderName } from './kit/index.js';
import { tax } from './tax/index.js';

/** The five fictitious data holders of the sandbox, by name. */
export const DATA_HOLDER_DEFINITIONS: Readonly<Record<DataHolderName, DataHolderDefinition<never>>> = {
  'civil-status': civilStatus as DataHolderDefinition<never>,
  'family-benefits': familyBenefits as DataHolderDefinition<never>,
  tax: tax as DataHolderDefinition<never>,
  employment: employment as DataHolderDefinition<never>,
  education: education as DataHolderDefinition<never>,
};
