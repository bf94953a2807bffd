import type { FormatReader } from './types';
import { ofaSupernetReader } from './ofa-supernet';
import { ofaNetReader } from './ofa-net';
import { kerasReader } from './keras';
import { hfConfigReader } from './hf-config';
import { ultralyticsReader } from './ultralytics';

/** In detection order: more specific formats first. */
export const READERS: readonly FormatReader[] = [ofaSupernetReader, ofaNetReader, kerasReader, hfConfigReader, ultralyticsReader];
