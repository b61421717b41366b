import { init } from './common.js';

init();
