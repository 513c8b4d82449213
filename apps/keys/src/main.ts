import 'reflect-metadata';
import { loadConfig, runService } from '@sigil/platform';
import { KeysAppModule } from './app.module';
import { KeysConfigSchema } from './config';

runService(
  'keys',
  () => loadConfig(KeysConfigSchema),
  (config, kafka) => KeysAppModule.forRoot(config, kafka),
);
