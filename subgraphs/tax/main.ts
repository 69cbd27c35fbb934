import { runDataHolder } from '../kit/index.js';
import { tax } from './index.js';

await runDataHolder(tax);
