package io.headersync.store;

import io.headersync.testkit.DummyHeader;
import io.headersync.testkit.StoreContractTest;

class InMemoryStoreTest extends StoreContractTest {
  @Override
  protected Store<DummyHeader> createStore(StoreOptions options) {
    return new InMemoryStore<>(options);
  }
}
