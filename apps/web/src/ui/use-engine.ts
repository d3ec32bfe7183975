import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ChatEngine } from '../engine/chat-engine.js';
import type { AppState } from '../engine/state.js';

export const EngineContext = createContext<ChatEngine | undefined>(undefined);

export function useEngine(): ChatEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('no engine');
  return engine;
}

/** The current AppState, re-rendering on every change. */
export function useAppState(): AppState {
  const engine = useEngine();
  const [state, setState] = useState(engine.state.value);
  useEffect(() => {
    // The state may have changed between the first render and this effect (effects run later).
    setState(engine.state.value);
    return engine.state.subscribe(setState);
  }, [engine]);
  return state;
}

/** Runs an action, turning a thrown error into a message for the user (never a blank screen). */
export function errorText(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}
