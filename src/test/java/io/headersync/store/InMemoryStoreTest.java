package io.headersync.store;

import io.headersync.testing.DummyHeader;

class InMemoryStoreTest extends AbstractStoreContractTest {
  @Override
  protected Store<DummyHeader> createStore(StoreOptions options) {
    return new InMemoryStore<>(options);
  }
}
