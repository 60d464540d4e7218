//! Sans-IO session state machines: server and client.
