import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { apiPaths } from '../common/api-paths.js';
import { useDocumentTitle } from '../common/use-document-title.js';
import { MergedLogsView } from './MergedLogsView.js';

interface SelectorLogsPageProps {
  cluster: string;
  namespace: string;
}

/** Merged logs of every pod matching a label selector (like `stern -l app=web`). */
export function SelectorLogsPage({ cluster, namespace }: SelectorLogsPageProps) {
  const [params, setParams] = useSearchParams();
  const selector = params.get('selector') ?? '';
  const [draft, setDraft] = useState(selector);
  useDocumentTitle(selector ? `Logs of ${selector}` : 'Merged logs');
  return (
    <>
      <h1 className="page-title">Merged logs</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setParams((prev) => {
            const next = new URLSearchParams(prev);
            next.set('selector', draft.trim());
            return next;
          });
        }}
      >
        <label className="field">
          Label selector
          <input
            type="text"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="app=web,tier!=cache"
            size={40}
            spellCheck={false}
            data-testid="log-selector"
          />
        </label>
        <button type="submit" className="btn btn-primary">
          Show logs
        </button>
      </form>
      {selector ? (
        <MergedLogsView
          streamPath={apiPaths.selectorLogsStream(cluster, namespace)}
          fixedQuery={{ selector }}
          downloadName={`${namespace}_${selector.replace(/[^A-Za-z0-9_.-]+/g, '_')}.log`}
        />
      ) : (
        <p className="muted">
          Enter a label selector to follow the logs of all matching pods and containers.
        </p>
      )}
    </>
  );
}
