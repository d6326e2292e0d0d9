"""A hand-made program small enough to work every metric out by hand (see test_compute)."""

MEMBERS = """member_id,registered_at,source_campaign_id,referrer_id
M0,2023-01-01,,
M1,2024-01-05,,
M2,2024-02-10,,
M3,2024-03-03,C1,
M4,2024-03-20,,M1
M5,2024-03-31 23:00,C1,M3
M6,2024-04-02,,
"""
ORDERS = """order_id,member_id,ordered_at,amount,status
O0,M0,2023-06-01 10:00,10,paid
O1,M1,2024-01-10 10:00,100,paid
O2,M1,2024-02-15 10:00,50,paid
O3,M2,2024-02-20 12:00,80,paid
O4,M1,2024-03-01 10:00,40,paid
O5,M1,2024-03-10 22:00,60,paid
O6,M3,2024-03-05 09:00,30,paid
O7,M2,2024-03-25 12:00,20,refunded
O8,,2024-03-12 15:00,70,paid
O9,M4,2024-03-21 08:00,0,paid
"""
POINTS = """entry_id,member_id,at,kind,points
P1,M1,2024-01-10,earn,100
P2,M1,2024-02-15,earn,50
P0,M2,2024-02-20,earn,80
P3,M1,2024-03-01,earn,40
P4,M1,2024-03-02,redeem,-100
P5,M2,2024-03-05,expire,-30
P6,M0,2024-03-16,earn,5
P8,M1,2024-03-20,adjust,-10
P7,M3,2024-04-02,earn,30
"""
EVENTS = """member_id,at,event
M2,2024-03-15 10:00,view
M1,2024-03-05 10:00,share
M3,2024-03-06 10:00,share
M1,2024-02-05 10:00,share
"""
SURVEYS = """response_id,member_id,at,nps,csat
R1,M1,2024-03-02,10,5
R2,M3,2024-03-06,9,4
R3,M4,2024-03-22,7,3
R4,M1,2024-03-11,3,1
R5,M2,2024-02-21,0,2
"""
CAMPAIGNS = """campaign_id,name,starts_at,cost
C1,Spring,2024-03-01,100
C2,Winter,2024-02-01,50
"""
TOUCHES = """campaign_id,member_id,at,group
C1,M1,2024-03-01 08:00,treatment
C1,M2,2024-03-20 09:00,treatment
C1,M3,2024-03-01 09:00,holdout
C1,M4,2024-03-15 10:00,treatment
C2,M1,2024-02-10 10:00,treatment
C1,M1,2024-03-09 12:00,treatment
"""
TICKETS = """ticket_id,member_id,opened_at,kind,resolved_at
T1,M1,2024-03-02 10:00,complaint,2024-03-02 20:00
T2,M3,2024-03-06 09:00,inquiry,2024-03-07 09:00
T3,M4,2024-02-28 12:00,complaint,2024-03-01 00:00
T4,M2,2024-03-25 10:00,complaint,
"""
POSTS = """post_id,member_id,at,source,text
B1,M1,2024-03-03,weibo,好喝
B2,,2024-03-04,review,还行
B3,M2,2024-02-01,wechat,不错
"""
