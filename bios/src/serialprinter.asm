; INT 14h (serial ports) and INT 17h (printers), as the IBM PC/AT Technical Reference and
; Ralf Brown's list describe them, over the port tables POST leaves in the BIOS data area:
; COM1-COM4 at 40:00 with their time-outs at 40:7C, LPT1-LPT3 at 40:08 with theirs at
; 40:78. A time-out byte counts timer ticks (as SeaBIOS reads it). A port whose table entry
; is 0 is not installed: INT 14h returns AH = 80h (time-out) and INT 17h AH = 01h (time-out).
;
; INT 14h: 00h initialise (AL: bits 7-5 the rate, 110 to 9600 bit/s, bits 4-3 parity, bit 2
; stop bits, bits 1-0 word length; the LCR takes bits 4-0 as they are), 01h send AL, 02h
; receive into AL, 03h status; AH = the line status (bit 7 on a time-out), AL = the modem
; status for 00h and 03h. Sending waits for the transmitter to be empty (LSR THRE and TEMT)
; only, as SeaBIOS does: DSR and CTS, which the PC/AT BIOS also waited for, are not checked.
; INT 17h: 00h print AL (strobe pulse after the printer is not busy), 01h initialise (INIT
; low, then SELECT IN), 02h status; AH = the status port's bits 7-3 with ACK (6) and ERROR
; (3) inverted so that 1 means "acknowledged" and "I/O error", and bit 0 on a time-out.
; The PS/2 extended serial functions 04h/05h are in serialext.asm.

; lpt_setup (POST): the printer ports that answer at 3BCh, 378h and 278h (a byte written to
; the data latch reads back) into 40:08, their time-outs into 40:78, the count into the
; equipment word's bits 15-14.
lpt_setup:
        push    es
        push    ax
        push    bx
        push    dx
        push    si
        mov     ax, BDA_SEG
        mov     es, ax
        mov     si, lpt_bases
        xor     bx, bx
.next:  cs lodsw
        test    ax, ax
        jz      .done
        mov     dx, ax
        mov     al, 0xAA
        out     dx, al
        in      al, dx
        cmp     al, 0xAA
        jne     .next
        mov     al, 0x55
        out     dx, al
        in      al, dx
        cmp     al, 0x55
        jne     .next
        mov     [es:0x08 + bx], dx
        shr     bx, 1
        mov     byte [es:0x78 + bx], 20
        shl     bx, 1
        add     bx, 2
        jmp     .next
.done:  shl     bx, 13                  ; count (BX / 2) in bits 15-14
        and     word [es:0x10], 0x3FFF
        or      [es:0x10], bx
        pop     si
        pop     dx
        pop     bx
        pop     ax
        pop     es
        ret

lpt_bases:      dw      0x3BC, 0x378, 0x278, 0

; Divisors of the 1.8432 MHz clock (115200 / rate) for the eight INT 14h 00h rates, and 19200
; bit/s, which only 04h offers.
com_divisors:   dw      1047, 768, 384, 192, 96, 48, 24, 12, 6

; sp_wait: polls port DX until (IN AL & AH) == AH or CL timer ticks have passed; AL = the last
; value read, CF set on a time-out. Interrupts are enabled so the tick count runs.
sp_wait:
        push    ebx
        push    cx
        sti
        mov     ebx, [0x6C]
.poll:  in      al, dx
        push    ax
        and     al, ah
        cmp     al, ah
        pop     ax
        je      .ok
        cmp     ebx, [0x6C]
        je      .poll
        mov     ebx, [0x6C]
        test    cl, cl
        jz      .timeout
        dec     cl
        jmp     .poll
.ok:    clc
        jmp     .ret
.timeout:
        stc
.ret:   pop     cx
        pop     ebx
        ret

int14_handler:
        sti
        push    ds
        push    bx
        push    cx
        push    dx
        mov     bx, BDA_SEG
        mov     ds, bx
        cmp     dx, 3
        ja      .none
        mov     bx, dx
        mov     cl, [0x7C + bx]         ; time-out
        add     bx, bx
        mov     dx, [bx]                ; base port
        test    dx, dx
        jz      .none
        cmp     ah, 0x00
        je      .init
        cmp     ah, 0x01
        je      .send
        cmp     ah, 0x02
        je      .receive
        cmp     ah, 0x03
        je      .status
        cmp     ah, 0x04
        je      int14_ext_init          ; the PS/2 functions: serialext.asm
        cmp     ah, 0x05
        je      int14_ext_control
        jmp     .ret                    ; other functions: nothing
.none:  mov     ah, 0x80
        jmp     .ret

.init:  push    ax
        add     dx, 3
        mov     al, 0x80                ; LCR: DLAB
        out     dx, al
        sub     dx, 3
        pop     ax
        push    ax
        movzx   bx, al
        shr     bx, 5
        add     bx, bx
        mov     bx, [cs:com_divisors + bx]
        mov     al, bl
        out     dx, al                  ; DLL
        inc     dx
        mov     al, bh
        out     dx, al                  ; DLM
        pop     ax
        add     dx, 2
        and     al, 0x1F                ; word length, stop bits, parity; DLAB off
        out     dx, al
        sub     dx, 2
        xor     al, al
        out     dx, al                  ; IER: no interrupts
        dec     dx
        jmp     .status

.send:  mov     bl, al
        add     dx, 4
        mov     al, 0x03                ; MCR: DTR, RTS
        out     dx, al
        inc     dx                      ; LSR
        mov     ah, 0x60                ; THRE and TEMT
        call    sp_wait
        mov     ah, al
        jc      .send_timeout
        sub     dx, 5
        mov     al, bl
        out     dx, al
        jmp     .ret
.send_timeout:
        or      ah, 0x80
        mov     al, bl
        jmp     .ret

.receive:
        add     dx, 4
        mov     al, 0x01                ; MCR: DTR
        out     dx, al
        inc     dx                      ; LSR
        mov     ah, 0x01                ; data ready
        call    sp_wait
        jc      .receive_timeout
        mov     ah, al
        and     ah, 0x1E                ; the error bits
        sub     dx, 5
        in      al, dx
        jmp     .ret
.receive_timeout:
        mov     ah, al
        or      ah, 0x80
        jmp     .ret

.status:
        add     dx, 5
        in      al, dx
        mov     ah, al                  ; LSR
        inc     dx
        in      al, dx                  ; MSR
.ret:   pop     dx
        pop     cx
        pop     bx
        pop     ds
        iret

int17_handler:
        sti
        push    ds
        push    bx
        push    cx
        push    dx
        mov     bx, BDA_SEG
        mov     ds, bx
        cmp     dx, 2
        ja      .none
        mov     bx, dx
        mov     cl, [0x78 + bx]         ; time-out
        add     bx, bx
        mov     dx, [0x08 + bx]         ; base port
        test    dx, dx
        jz      .none
        cmp     ah, 0x00
        je      .print
        cmp     ah, 0x01
        je      .init
        cmp     ah, 0x02
        je      .status
        jmp     .ret
.none:  mov     ah, 0x01                ; time-out
        jmp     .ret

.print: mov     bl, al
        out     dx, al                  ; the data latch
        inc     dx
        mov     ah, 0x80                ; status bit 7: not busy
        call    sp_wait
        jc      .print_timeout
        inc     dx
        mov     al, 0x0D                ; control: STROBE, SELECT IN, INIT high
        out     dx, al
        mov     al, 0x0C
        out     dx, al
        dec     dx
        in      al, dx
        call    .bits
        mov     al, bl
        jmp     .ret
.print_timeout:
        call    .bits
        or      ah, 0x01
        mov     al, bl
        jmp     .ret

.init:  mov     bl, al
        add     dx, 2
        mov     al, 0x08                ; INIT low, SELECT IN
        out     dx, al
        mov     cx, 0x1000              ; hold INIT (the PC/AT holds it for about 50 us)
.hold:  in      al, dx
        loop    .hold
        mov     al, 0x0C
        out     dx, al
        dec     dx
        in      al, dx
        call    .bits
        mov     al, bl
        jmp     .ret

.status:
        mov     bl, al
        inc     dx
        in      al, dx
        call    .bits
        mov     al, bl
.ret:   pop     dx
        pop     cx
        pop     bx
        pop     ds
        iret

; .bits: AL = the status port -> AH = the INT 17h status (bits 7-3, ACK and ERROR inverted).
.bits:  mov     ah, al
        and     ah, 0xF8
        xor     ah, 0x48
        ret
