"""A local AWS for the migration provider's tests: moto in server mode plus an extension.

moto serves the APIs it implements well enough; this package adds what it lacks (Client VPN,
Direct Connect gateways, RAM invitations, Directory Service Data), corrects moto where the
provider would notice (transitional states, missing errors, filters), and wraps every call in
realism that tests switch on per test: delays, latency, throttling, injected faults.
"""
