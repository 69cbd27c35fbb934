import { runDataHolder } from '../kit/index.js';
import { civilStatus } from './index.js';

await runDataHolder(civilStatus);
