"""Analysis: motion, zones, tracking and detector crops (pure logic, no I/O).

Detection stops at object classes; nothing here identifies or follows a person
across cameras (see "The line we hold" in DEVELOPERS.md).
"""
