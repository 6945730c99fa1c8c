package dev.lowbit.architectures;

/** 784-1024-1024-10 on 28x28 images: 1,863,690 parameters, 18x fcnn-small. */
public final class FcnnLargeArchitecture extends FcnnArchitecture {

    /** The registered {@code fcnn-large}. */
    public FcnnLargeArchitecture() {
        super("fcnn-large", 1024, 1024);
    }
}
