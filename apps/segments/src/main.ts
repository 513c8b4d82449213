import 'reflect-metadata';
import { loadConfig, runService } from '@sigil/platform';
import { SegmentsAppModule } from './app.module';
import { SegmentsConfigSchema } from './config';

runService(
  'segments',
  () => loadConfig(SegmentsConfigSchema),
  (config, kafka) => SegmentsAppModule.forRoot(config, kafka),
);
