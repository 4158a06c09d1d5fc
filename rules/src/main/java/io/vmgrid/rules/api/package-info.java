/** The rules module's public domain: inventory, requests, change journal and the rule SPI. */
@NullMarked
package io.vmgrid.rules.api;

import org.jspecify.annotations.NullMarked;
