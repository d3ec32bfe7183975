import * as peer from '@enkrypted/peer';
import { render } from 'preact';
import './styles.css';

render(<p>hello {String(Object.keys(peer).length)}</p>, document.getElementById('app')!);
