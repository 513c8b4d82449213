import 'reflect-metadata';
import { loadConfig, runService } from '@sigil/platform';
import { WebhooksAppModule } from './app.module';
import { WebhooksConfigSchema } from './config';

runService(
  'webhooks',
  () => loadConfig(WebhooksConfigSchema),
  (config, kafka) => WebhooksAppModule.forRoot(config, kafka),
);
