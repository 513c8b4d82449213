import { ALL_EVENT_TOPICS, ALL_RPC_TOPICS } from '@sigil/contracts';
import { kafkaTopicsYaml, resourceName, sigilTopics, TOPIC_PARTITIONS } from './generate-topics';

describe('generate-topics', () => {
  it('has every event topic, every service request topic and every caller reply topic', () => {
    const topics = sigilTopics().map((t) => t.topic);
    for (const t of [...ALL_EVENT_TOPICS, ...ALL_RPC_TOPICS]) expect(topics).toContain(t);
    expect(new Set(topics).size).toBe(topics.length);
  });

  it('turns topic names into valid Kubernetes names and keeps the real name in spec.topicName', () => {
    expect(resourceName('sigil.contacts.add_tags.reply')).toBe('sigil.contacts.add-tags.reply');
    const yaml = kafkaTopicsYaml([{ topic: 'sigil.contacts.add_tags', kind: 'requests' }]);
    expect(yaml).toContain('  name: sigil.contacts.add-tags\n');
    expect(yaml).toContain('  topicName: sigil.contacts.add_tags\n');
    expect(yaml).toContain(`  partitions: ${TOPIC_PARTITIONS}\n`);
  });

  it('refuses two topics that would share a resource name', () => {
    expect(() =>
      kafkaTopicsYaml([
        { topic: 'sigil.a_b', kind: 'requests' },
        { topic: 'sigil.a-b', kind: 'requests' },
      ]),
    ).toThrow(/resource name sigil.a-b/);
  });
});
