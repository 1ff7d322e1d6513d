package io.headersync.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that, in the annotated package, every parameter, return value and field is non-null
 * unless it is annotated {@link Nullable} or typed {@link java.util.Optional}. Public entry points
 * reject {@code null} with a {@link NullPointerException} that names the parameter.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PACKAGE)
public @interface NonNullByDefault {}
