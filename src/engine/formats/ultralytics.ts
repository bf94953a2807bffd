/** The Ultralytics YOLO YAML reader lives in ./ultralytics/ (reader, module table, blocks, heads). */
export { ultralyticsReader } from './ultralytics/reader';
