/** Entry point: opens the store, boots the engine, renders. Any startup failure is shown, not blank. */
import { render } from 'preact';
import { ChatEngine } from './engine/chat-engine.js';
import { Repo } from './store/repo.js';
import { App } from './ui/app.js';
import { EngineContext } from './ui/use-engine.js';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  const repo = await Repo.open();
  const engine = new ChatEngine(repo, location.href);
  render(
    <EngineContext.Provider value={engine}>
      <App />
    </EngineContext.Provider>,
    root,
  );
  await engine.boot();
  (globalThis as { enkrypted?: unknown }).enkrypted = { ready: true };
}

const root = document.getElementById('app');
if (root) {
  start(root).catch((err: unknown) => {
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.className = 'center-card error';
    p.textContent = `Enkrypted could not start: ${err instanceof Error ? err.message : 'unknown error'}. Private browsing modes may block the storage it needs.`;
    root.replaceChildren(p);
  });
}
