import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { loadConfig, runService } from '@sigil/platform';
import { ContactsAppModule } from './app.module';
import { ContactsConfigSchema } from './config';

runService(
  'contacts',
  () => {
    const config = loadConfig(ContactsConfigSchema);
    // Read by V8 at every full collection, so setting it here (not on the command line) takes effect at once.
    if (config.HEAP_GROWING_PERCENT > 0) setFlagsFromString(`--heap-growing-percent=${config.HEAP_GROWING_PERCENT}`);
    return config;
  },
  (config, kafka) => ContactsAppModule.forRoot(config, kafka),
);
