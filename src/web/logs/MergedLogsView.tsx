import { withQuery } from '../common/api-paths.js';
import { mergedStreamQuery } from './log-options.js';
import { LogViewer } from './LogViewer.js';
import { RangeControls } from './RangeControls.js';
import { useLogOptions } from './use-log-options.js';

interface MergedLogsViewProps {
  /** The merged stream endpoint, with its own fixed params (e.g. the selector). */
  streamPath: string;
  fixedQuery: Record<string, string>;
  downloadName: string;
}

/** Logs of many pods and containers, interleaved by time, each source in its own colour. */
export function MergedLogsView({ streamPath, fixedQuery, downloadName }: MergedLogsViewProps) {
  const [options, setOptions] = useLogOptions();
  const initialPath = withQuery(streamPath, { ...fixedQuery, ...mergedStreamQuery(options, null) });
  const resumePath = (sinceTime: string): string =>
    withQuery(streamPath, { ...fixedQuery, ...mergedStreamQuery(options, sinceTime) });
  return (
    <LogViewer
      key={initialPath}
      initialPath={initialPath}
      resumePath={resumePath}
      options={options}
      onOptions={setOptions}
      downloadHref={null}
      downloadName={downloadName}
      merged
      streamControls={<RangeControls options={options} onOptions={setOptions} />}
    />
  );
}
