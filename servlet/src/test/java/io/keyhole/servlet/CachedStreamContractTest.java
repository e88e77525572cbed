package io.keyhole.servlet;

import io.keyhole.KeyholeConfig;

/**
 * The adapter contract once more with the decision cache and the open-file cache on: what goes
 * over the wire is the same.
 * Within a test, repeated requests are answered from the cache; each test starts with nothing remembered.
 */
class CachedStreamContractTest extends StreamContractTest {

    private final DecisionCacheOn cache = new DecisionCacheOn();

    @Override
    protected KeyholeConfig.Builder configure(KeyholeConfig.Builder config) {
        return cache.on(super.configure(config));
    }

    @Override
    protected void startingTest() {
        cache.expireAll();
    }

    @Override
    protected boolean decisionsCached() {
        return true;
    }
}
