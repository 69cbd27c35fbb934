import { runDataHolder } from '../kit/index.js';
import { employment } from './index.js';

await runDataHolder(employment);
