"""A hand-made points ledger small enough to work FIFO, curves and breakage out by hand.

Every ``expires_at`` of ``...-12-31`` is at 23:59:59. Cumulative intervals per member (FIFO):

A  batches   A1 (0,100]  A2 (100,150]  A3 (150,190]  AJ1 (190,220] (adjust, no expiry)
             A4 (220,280]
   consumed  AR1 (0,170] redeem spanning A1 100, A2 50, A3 20 (A3 partly used)
             AJ2 (170,180] negative adjust: A3 10;  AX1 (180,190] expire: A3 10
             AR2 (190,240] redeem: AJ1 30, A4 20      → open A4 40; balance 40
B  batches   B1 (0,200]  B2 (200,300]
   consumed  BR1 (0,50] B1;  BR2 (50,100] B1;  BX1 (100,200] expire B1 → open B2 100
C  batches   C1 (0,50];  consumed CR1 (0,80]: C1 50 and 30 beyond everything earned
             (overdrawn: balance −30, open 0)
D  D1 120 expired whole by DX1; D2 70 open
E  E1 600 open (expires 2025-06-30); a paid order on 2025-01-05
F  F1 900 open; a view event on 2024-12-01
G  G1 80 open, expired on 2024-12-31 but no expire entry in the ledger (overdue)
H  HJ1 +25 adjust without expiry, open; H never active
"""

MEMBERS = "member_id,registered_at\n" + "".join(f"{m},2022-12-01\n" for m in "ABCDEFGH")

POINTS = """entry_id,member_id,at,kind,points,expires_at
A1,A,2023-01-15,earn,100,2024-12-31 23:59:59
A2,A,2023-02-10,earn,50,2024-12-31 23:59:59
A3,A,2023-03-05,earn,40,2024-12-31 23:59:59
AR1,A,2023-03-20,redeem,-170,
AJ1,A,2023-04-01,adjust,30,
AJ2,A,2023-06-01,adjust,-10,
A4,A,2024-05-10,earn,60,2025-12-31 23:59:59
AX1,A,2024-12-31 23:59:59,expire,-10,
AR2,A,2025-01-20,redeem,-50,
B1,B,2023-01-20,earn,200,2024-12-31 23:59:59
BR1,B,2023-06-10,redeem,-50,
BR2,B,2023-11-15,redeem,-50,
B2,B,2024-02-01,earn,100,2025-12-31 23:59:59
BX1,B,2024-12-31 23:59:59,expire,-100,
C1,C,2024-03-01,earn,50,2025-12-31 23:59:59
CR1,C,2024-03-10,redeem,-80,
D1,D,2023-05-05,earn,120,2024-12-31 23:59:59
D2,D,2024-06-01,earn,70,2025-12-31 23:59:59
DX1,D,2024-12-31 23:59:59,expire,-120,
E1,E,2024-07-01,earn,600,2025-06-30 23:59:59
F1,F,2024-01-01,earn,900,2025-12-31 23:59:59
G1,G,2024-02-10,earn,80,2024-12-31 23:59:59
HJ1,H,2024-12-01,adjust,25,
"""

ORDERS = """order_id,member_id,ordered_at,amount,status
O1,E,2025-01-05 10:00,100,paid
O2,B,2025-01-10 10:00,50,refunded
"""

EVENTS = """member_id,at,event
F,2024-12-01 10:00,view
"""
