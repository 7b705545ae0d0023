package com.mskfailover.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Just enough of a DNS server (UDP, TXT answers, NXDOMAIN otherwise) to resolve bootstrap aliases through the JDK's
 * DNS provider in a test, as clients do through the Route 53 Resolver in a VPC.
 */
final class TinyTxtDnsServer implements AutoCloseable {

    private static final int TYPE_TXT = 16;

    private final DatagramSocket socket;
    private final Map<String, List<String>> records = new ConcurrentHashMap<>();
    private final Thread thread;

    TinyTxtDnsServer() {
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void put(String name, List<String> strings) {
        records.put(name.toLowerCase(Locale.ROOT), strings);
    }

    @Override
    public void close() {
        socket.close();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private byte[] answer(ByteBuffer query) {
        short id = query.getShort(0);
        int position = 12;
        StringBuilder name = new StringBuilder();
        while (query.get(position) != 0) {
            int length = query.get(position);
            name.append(name.isEmpty() ? "" : ".").append(new String(query.array(), position + 1, length, StandardCharsets.US_ASCII));
            position += length + 1;
        }
        int questionEnd = position + 5; // the zero label, QTYPE and QCLASS
        int type = query.getShort(position + 1);
        List<String> strings = records.get(name.toString().toLowerCase(Locale.ROOT));
        boolean found = strings != null && type == TYPE_TXT;

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(12);
        header.putShort(id).putShort((short) (found ? 0x8400 : 0x8403)).putShort((short) 1).putShort((short) (found ? 1 : 0))
                .putShort((short) 0).putShort((short) 0);
        out.writeBytes(header.array());
        out.write(query.array(), 12, questionEnd - 12);
        if (found) {
            ByteArrayOutputStream rdata = new ByteArrayOutputStream();
            for (String string : strings) {
                byte[] bytes = string.getBytes(StandardCharsets.US_ASCII);
                rdata.write(bytes.length);
                rdata.writeBytes(bytes);
            }
            ByteBuffer record = ByteBuffer.allocate(12 + rdata.size());
            record.putShort((short) 0xC00C).putShort((short) TYPE_TXT).putShort((short) 1).putInt(60).putShort((short) rdata.size());
            record.put(rdata.toByteArray());
            out.writeBytes(record.array());
        }
        return out.toByteArray();
    }
}
