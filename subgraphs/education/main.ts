import { runDataHolder } from '../kit/index.js';
import { education } from './index.js';

await runDataHolder(education);
