import { runMockCascadeVectors } from './mock-cascade.js';

runMockCascadeVectors('v1-mock-cascade-three-layers.json', 'V1');
