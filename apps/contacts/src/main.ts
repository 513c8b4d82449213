import 'reflect-metadata';
import { loadConfig, runService } from '@sigil/platform';
import { ContactsAppModule } from './app.module';
import { ContactsConfigSchema } from './config';

runService(
  'contacts',
  () => loadConfig(ContactsConfigSchema),
  (config, kafka) => ContactsAppModule.forRoot(config, kafka),
);
