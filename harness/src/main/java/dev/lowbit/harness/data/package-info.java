/**
 * The datasets lowbit trains on, found on disk and read with every size and checksum checked: Fashion-MNIST
 * (and any dataset in its IDX layout) and CIFAR-10 (its binary version, unpacked or read straight from the
 * archive); the seeded, stratified validation split and the training augmentation. Each dataset is found through
 * {@code --data}, then {@code $LOWBIT_DATA}, then its standard places; lowbit never downloads at run time,
 * only when asked ({@code lowbit datasets download}: the official files with their SHA-256 pinned, resumed and
 * renamed atomically). README, "Datasets", says where the files go.
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.data;
