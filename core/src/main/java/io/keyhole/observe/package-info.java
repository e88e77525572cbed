/**
 * Observing Keyhole: the {@link io.keyhole.observe.KeyholeListener} that metrics and audit logs
 * implement, and the events it receives.
 */
package io.keyhole.observe;
