package dev.lowbit.architectures;

/** 784-128-10 on 28x28 images: 101,770 parameters. */
public final class FcnnSmallArchitecture extends FcnnArchitecture {

    /** The registered {@code fcnn-small}. */
    public FcnnSmallArchitecture() {
        super("fcnn-small", 128);
    }
}
