import { startOurBroker } from '../support/brokers.js';
import { brokerSuite } from './broker-suite.js';

brokerSuite('our broker (enkrypted-broker)', startOurBroker);
