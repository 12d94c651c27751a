package io.functionsbridge.it;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Reads every readable attribute of every MBean in this JVM, as text: what a JMX console can show. */
final class JmxScan {

    private JmxScan() {
    }

    /** The attributes (as {@code name.attribute = value}) whose value contains the text. */
    static List<String> attributesContaining(String text) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<String> found = new ArrayList<>();
        for (ObjectName name : server.queryNames(null, null)) {
            MBeanAttributeInfo[] attributes;
            try {
                attributes = server.getMBeanInfo(name).getAttributes();
            } catch (Exception e) {
                continue;
            }
            for (MBeanAttributeInfo attribute : attributes) {
                if (!attribute.isReadable()) {
                    continue;
                }
                try {
                    Object value = server.getAttribute(name, attribute.getName());
                    if (value != null && String.valueOf(value).contains(text)) {
                        found.add(name + "." + attribute.getName() + " = " + value);
                    }
                } catch (Exception | LinkageError e) {
                    // an attribute that cannot be read shows nothing either
                }
            }
        }
        return found;
    }
}
