package io.headersync.lifecycle;

/**
 * The future of {@link Service#start()} fails with this when the component was stopped before it
 * finished starting: nothing went wrong, it was asked to stop.
 */
public final class ServiceStoppedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception naming the component that was stopped before it ran.
   *
   * @param name the component, e.g. {@code "header sync service gm-headerSync"}
   */
  public ServiceStoppedException(String name) {
    super(name + " was stopped before it finished starting");
  }
}
