/**
 * Putting files into the hashed tree: {@link io.keyhole.tree.FileIds} makes ids,
 * {@link io.keyhole.tree.FileStore} writes, replaces and deletes files atomically and checks a
 * tree for leftovers.
 *
 * <pre>{@code
 * FileStore store = FileStore.builder(new HashedTree(Path.of("/srv/keyhole"), 4))
 *         .instance("web-1")
 *         .maxSize(100 << 20)
 *         .build();
 * StoredMetadata stored = store.store(in, Upload.of("report.pdf").withUser("alice"));
 * // write stored.id(), stored.etag(), ... where the authorisation backend finds them
 * }</pre>
 */
package io.keyhole.tree;
