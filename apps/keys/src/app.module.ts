/** The keys service: tenants, users, sessions, API keys, plans, usage, leaked-key reports and the audit log. Source of truth for auth. */
import { Module, type DynamicModule } from '@nestjs/common';
import { HealthPatterns } from '@sigil/contracts';
import { ServicePlatformModule, type KafkaSettings } from '@sigil/platform';
import { ApiKeysHandlers } from './api-keys/api-keys.handlers';
import { AuditConsumer } from './audit/audit.consumer';
import { AuditHandlers } from './audit/audit.handlers';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { KEYS_CONFIG, type KeysConfig } from './config';
import { KEYS_MIGRATIONS } from './migrations';
import { LeakedKeysHandlers } from './leaked-keys/leaked-keys.handlers';
import { LeakReportsRepository } from './leaked-keys/leak-reports.repository';
import { LeakedKeysService } from './leaked-keys/leaked-keys.service';
import { AuthHandlers } from './sessions/auth.handlers';
import { RetentionSweeper } from './retention/retention.sweeper';
import { SessionsRepository } from './sessions/sessions.repository';
import { SessionsService } from './sessions/sessions.service';
import { TenantsHandlers } from './tenants/tenants.handlers';
import { MembersHandlers } from './members/members.handlers';
import { InvitationsRepository } from './members/invitations.repository';
import { MembersService } from './members/members.service';
import { MembershipsRepository } from './members/memberships.repository';
import { TenantsService } from './tenants/tenants.service';
import { TenantsRepository } from './tenants/tenants.repository';
import { UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';
import { UsersRepository } from './users/users.repository';

@Module({})
export class KeysAppModule {
  static forRoot(config: KeysConfig, kafka: KafkaSettings): DynamicModule {
    return {
      module: KeysAppModule,
      imports: [
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.keys,
          // Replies carry one-time secrets (new API keys, tokens) that must not be stored:
          // the gateway's Redis store is this service's only idempotency layer.
          idempotencyLedger: false,
          database: {
            service: 'keys',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: KEYS_MIGRATIONS,
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
        }),
      ],
      controllers: [AuthHandlers, ApiKeysHandlers, TenantsHandlers, AuditHandlers, MembersHandlers, LeakedKeysHandlers],
      providers: [
        { provide: KEYS_CONFIG, useValue: config },
        SessionsService,
        ApiKeysService,
        ApiKeysRepository,
        TenantsRepository,
        UsageRepository,
        SessionsRepository,
        LeakReportsRepository,
        UsersRepository,
        MembershipsRepository,
        InvitationsRepository,
        UsageService,
        TenantsService,
        MembersService,
        LeakedKeysService,
        AuditRepository,
        AuditService,
        AuditConsumer,
        RetentionSweeper,
      ],
    };
  }
}
