import { init } from './common.js';

await init();
// The page is wired up: its forms have their handlers (tests wait for this).
document.body.dataset.ready = 'true';
