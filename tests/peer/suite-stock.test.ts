import { startStockPeerServer } from '../support/brokers.js';
import { brokerSuite } from './broker-suite.js';

brokerSuite('the stock peer 1.0.2 server', startStockPeerServer);
