import { runMockCascadeVectors } from './mock-cascade.js';

runMockCascadeVectors('v2-mock-cascade-profile-order.json', 'V2');
