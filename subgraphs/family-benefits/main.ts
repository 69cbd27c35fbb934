import { runDataHolder } from '../kit/index.js';
import { familyBenefits } from './index.js';

await runDataHolder(familyBenefits);
