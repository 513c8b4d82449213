/** The contacts service: contacts, tags, custom fields and activities in its own database. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import type { ContactsConfig } from './config';
import { ContactEntity } from './contacts/contact.entity';
import { ContactsHandlers } from './contacts/contacts.handlers';
import { ContactsService } from './contacts/contacts.service';
import { CONTACTS_MIGRATIONS } from './migrations';

@Module({})
export class ContactsAppModule {
  static forRoot(config: ContactsConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: ContactsAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.contacts,
          database: {
            service: 'contacts',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [ContactEntity],
            migrations: CONTACTS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
      controllers: [ContactsHandlers],
      providers: [ContactsService],
    };
  }
}
