; INT 13h for diskette drives 00h and 01h through the Intel 82077AA in PC/AT mode (ports
; 3F2h DOR, 3F4h MSR, 3F5h FIFO, 3F7h DIR/CCR; IRQ 6; ISA DMA channel 2), following the IBM
; PC/AT Technical Reference's diskette BIOS and Ralf Brown's INT 13h: 00h reset, 01h status,
; 02h read, 03h write, 04h verify, 05h format track, 08h parameters, 15h type, 16h change
; line, 17h/18h the media type for a format. The drive types come from CMOS 10h.
;
; BIOS data area (IBM PC/AT Technical Reference, "BIOS data area"): 40:3E bits 0-3 drives
; recalibrated, bit 7 the controller's interrupt (set by INT 0Eh); 40:3F motor status (bits
; 0-3 motors on, bits 5-4 the selected drive); 40:40 the motor-off count, in timer ticks,
; which INT 08h counts down; 40:41 the last status; 40:42-48 the controller's result bytes;
; 40:8B bits 7-6 the last data rate set; 40:8F drive capabilities; 40:90/91 the media state
; of drives 0/1 (bits 7-6 data rate as CCR codes, bit 4 media established, bits 2-0 the
; media: 3 = 360K in a 360K drive, 5 = 1.2M in a 1.2M drive, 7 = any other); 40:94/95 the
; cylinder each head is on.
;
; An operation selects the drive and starts its motor (waiting the table's motor start time
; before a write or a format), looks at the disk change line (DIR bit 7; 82077AA datasheet,
; DIR), recalibrates a drive not yet recalibrated, finds the medium's data rate by READ ID
; at each rate the drive type allows, seeks, programs DMA channel 2 and runs the command,
; then waits for IRQ 6 with a time-out of about 2 s, reading the 7 result bytes into 40:42.
; Reads and writes use the multi-track mode (MT) with EOT the medium's last sector, so one
; call may run from side 0 onto side 1 of the same cylinder, as on the PC/AT.
;
; Status codes (AH, and 40:41): 00h ok, 01h bad function or parameter (and a drive that is
; not installed, as SeaBIOS reports it), 02h address mark not found, 03h write protected,
; 04h sector not found (also at the end of the cylinder), 06h media changed, 08h DMA
; overrun, 09h DMA across a 64 KiB boundary, 0Ch media type not found, 10h CRC error, 20h
; controller failure, 40h seek failed, 80h time-out (no disk in the drive).
;
; Not here: 360K disks in 1.2M drives (double stepping, 300 kbit/s), the write precompensation
; and perpendicular settings, the head settle time after a seek (the table's byte 9), the
; 18h "no media" (80h) check. AL after an error is the count of sectors before the one the
; controller stopped at (0 when the error came before the controller ran the command).

FD_DOR          equ     0x3F2
FD_MSR          equ     0x3F4
FD_FIFO         equ     0x3F5
FD_DIR          equ     0x3F7           ; read: DIR; write: CCR
FD_TIMEOUT      equ     37              ; ticks to wait for IRQ 6 (about 2 s)

FD_RECAL        equ     0x3E
FD_MOTOR        equ     0x3F
FD_MOTOR_COUNT  equ     0x40
FD_STATUS       equ     0x41
FD_RESULT       equ     0x42
FD_RATE         equ     0x8B
FD_INFO         equ     0x8F
FD_MEDIA        equ     0x90
FD_CYL          equ     0x94

; Scratch bytes below the INT 13h frame (BP-relative, so in SS).
FD_CMD          equ     -16             ; the command bytes
FD_COUNT        equ     -3              ; the caller's sector count
FD_MOTOR_WAS_OFF equ    -4

; ---- POST ----

; floppy_setup: with interrupts enabled; unmasks IRQ 6, fills the equipment word's diskette
; bits and 40:8F from CMOS 10h, resets the controller and recalibrates each drive (the step
; resets a disk change line that is active since power-on).
floppy_setup:
        push    ds
        pushad
        mov     ax, BDA_SEG
        mov     ds, ax
        in      al, 0x21
        and     al, ~0x40
        out     0x21, al
        mov     al, 0x10
        call    cmos_read
        mov     cl, al
        ; 40:8F: drive 0 in bits 2-0, drive 1 in bits 6-4 (determined, multi-rate, change line)
        shr     al, 4
        call    fd_info_bits
        mov     ch, al
        mov     al, cl
        and     al, 0x0F
        call    fd_info_bits
        shl     al, 4
        or      al, ch
        mov     [FD_INFO], al
        ; the equipment word: bit 0 diskettes installed, bits 7-6 the count less one
        and     byte [0x10], 0x3E
        xor     dx, dx
        test    cl, 0xF0
        jz      .b
        inc     dx
.b:     test    cl, 0x0F
        jz      .count
        inc     dx
.count: test    dx, dx
        jz      .done                   ; no drives: the controller stays in reset
        dec     dx
        shl     dl, 6
        or      dl, 0x01
        or      [0x10], dl
        mov     word [FD_MEDIA], 0
        call    fd_reset_controller
        test    ah, ah
        jnz     .done
        xor     bx, bx
        test    cl, 0xF0
        jz      .recal1
        call    fd_recal
.recal1:
        inc     bx
        test    cl, 0x0F
        jz      .done
        call    fd_recal
.done:  popad
        pop     ds
        ret

; fd_info_bits: AL = a CMOS drive type -> AL = its 40:8F bits (0 for no drive).
fd_info_bits:
        test    al, al
        jz      .ret
        cmp     al, 1
        je      .t1
        cmp     al, 3
        je      .t3
        mov     al, 0x07                ; determined, multiple data rates, change line
        ret
.t3:    mov     al, 0x05                ; determined, change line
        ret
.t1:    mov     al, 0x04                ; determined
.ret:   ret

; INT 0Eh (IRQ 6): the controller has finished a command or seek; 40:3E bit 7 tells the
; waiting code.
int0e_handler:
        push    ds
        push    ax
        mov     ax, BDA_SEG
        mov     ds, ax
        or      byte [FD_RECAL], 0x80
        mov     al, 0x20
        out     0x20, al
        pop     ax
        pop     ds
        iret

; ---- INT 13h, DL < 80h (entered from int13_handler with its frame at BP) ----

floppy_int13:
        sub     sp, 16
        mov     ax, BDA_SEG
        mov     ds, ax
        cmp     byte [bp + F_EDX], 0
        jne     .real
        mov     es, [cs:ebda_seg]       ; (ES is restored from the frame at the exit)
        cmp     byte [es:CDFD_TYPE], 0
        jne     cdfd_int13              ; El Torito floppy emulation: cdfloppy.asm
.real:
        movzx   bx, byte [bp + F_EDX]
        mov     ah, [bp + F_EAX + 1]
        cmp     ah, 0x00
        je      fd_fn_reset
        cmp     ah, 0x01
        je      fd_fn_status
        cmp     ah, 0x15
        je      fd_fn_type
        call    fd_drive_type
        test    al, al
        jz      fd_bad
        mov     ah, [bp + F_EAX + 1]
        cmp     ah, 0x02
        je      fd_fn_rw
        cmp     ah, 0x03
        je      fd_fn_rw
        cmp     ah, 0x04
        je      fd_fn_rw
        cmp     ah, 0x05
        je      fd_fn_format
        cmp     ah, 0x08
        je      fd_fn_params
        cmp     ah, 0x16
        je      fd_fn_change
        cmp     ah, 0x17
        je      fd_fn_dasd
        cmp     ah, 0x18
        je      fd_fn_media
fd_bad: mov     ah, 0x01
; fd_exit: AH = the status, into 40:41, the caller's AH and CF; the motor time-out starts.
fd_exit:
        mov     [FD_STATUS], ah
        mov     [bp + F_EAX + 1], ah
        and     byte [bp + F_FLAGS], 0xFE
        test    ah, ah
        jz      .motor
        or      byte [bp + F_FLAGS], 0x01
.motor: cmp     byte [FD_MOTOR_COUNT], 0xFF
        jne     .out
        mov     al, 2                   ; the table's motor-off delay
        call    fd_param
        mov     [FD_MOTOR_COUNT], al
.out:   mov     sp, bp
        popad
        pop     es
        pop     ds
        pop     gs                      ; the INT 13h frame of disk.asm
        pop     fs
        iret

fd_fn_reset:
        call    fd_reset_controller
        jmp     fd_exit

; 01h: AH = the last status (CF set when it is not 0), which stays in 40:41.
fd_fn_status:
        mov     ah, [FD_STATUS]
        jmp     fd_exit

; 15h: AH = 00h no drive, 01h a drive without change line (360K), 02h with; CF clear.
fd_fn_type:
        call    fd_drive_type
        mov     ah, 0
        test    al, al
        jz      .set
        inc     ah
        cmp     al, 1
        je      .set
        inc     ah
.set:   mov     byte [FD_STATUS], 0
        mov     [bp + F_EAX + 1], ah
        and     byte [bp + F_FLAGS], 0xFE
        jmp     fd_exit.out

; 16h: AH = 06h (CF set) when the change line is active, or the drive has none; 00h when not.
fd_fn_change:
        cmp     al, 1
        je      .changed
        call    fd_motor_on
        mov     dx, FD_DIR
        in      al, dx
        test    al, 0x80
        jz      .same
.changed:
        mov     ah, 0x06
        jmp     fd_exit
.same:  xor     ah, ah
        jmp     fd_exit

; 08h: BL = drive type, CH = last cylinder, CL = sectors per track, DH = last head, DL =
; drives installed, ES:DI = the parameter table of the drive's largest medium, AX = 0.
fd_fn_params:
        movzx   si, al
        mov     [bp + F_EBX], al
        mov     byte [bp + F_EBX + 1], 0
        mov     al, [cs:fd_type_cyls + si]
        mov     [bp + F_ECX + 1], al
        mov     al, [cs:fd_type_spt + si]
        mov     [bp + F_ECX], al
        mov     byte [bp + F_EDX + 1], 1
        mov     al, 0x10
        call    cmos_read
        xor     ah, ah
        test    al, 0xF0
        jz      .b
        inc     ah
.b:     test    al, 0x0F
        jz      .n
        inc     ah
.n:     mov     [bp + F_EDX], ah
        add     si, si
        mov     ax, [cs:fd_type_table + si]
        mov     [bp + F_EDI], ax
        mov     [bp + F_ES], cs
        mov     byte [bp + F_EAX], 0
        xor     ah, ah
        jmp     fd_exit

; 17h: AL = 1 (360K disk in a 360K drive), 3 (1.2M in 1.2M), 4 (720K in a 720K, 1.44M or
; 2.88M drive) sets the media state for a following format; 2 (360K in 1.2M) is not supported.
fd_fn_dasd:
        mov     ah, [bp + F_EAX]
        mov     cl, 0x93
        cmp     ah, 1
        jne     .n3
        cmp     al, 1
        je      .set
        jmp     .unsupported
.n3:    mov     cl, 0x15
        cmp     ah, 3
        jne     .n4
        cmp     al, 2
        je      .set
        jmp     .unsupported
.n4:    mov     cl, 0x97
        cmp     ah, 4
        jne     fd_bad
        cmp     al, 3
        jb      .unsupported
.set:   mov     [FD_MEDIA + bx], cl
        xor     ah, ah
        jmp     fd_exit
.unsupported:
        mov     ah, 0x0C
        jmp     fd_exit

; 18h: CH = last cylinder, CL = sectors per track: sets the media state for a format and
; returns ES:DI = the medium's parameter table; 0Ch when the drive does not take it.
fd_fn_media:
        mov     cx, [bp + F_ECX]
        mov     si, fd_media_kinds
.next:  cmp     byte [cs:si], 0
        je      .none
        cmp     [cs:si], al             ; the drive type
        jne     .skip
        cmp     [cs:si + 1], cx
        je      .found
.skip:  add     si, 6
        jmp     .next
.found: mov     al, [cs:si + 3]
        mov     [FD_MEDIA + bx], al
        mov     ax, [cs:si + 4]
        mov     [bp + F_EDI], ax
        mov     [bp + F_ES], cs
        xor     ah, ah
        jmp     fd_exit
.none:  mov     ah, 0x0C
        jmp     fd_exit

; 02h read, 03h write, 04h verify: AL sectors from cylinder CH, head DH, sector CL, to or
; from ES:BX (02h/03h).
fd_fn_rw:
        mov     al, [bp + F_EAX]
        mov     [bp + FD_COUNT], al
        mov     byte [bp + F_EAX], 0    ; no sectors moved unless it works
        test    al, al
        jz      fd_bad
        test    byte [bp + F_ECX], 0x3F
        jz      fd_bad
        cmp     byte [bp + F_EAX + 1], 0x04
        je      .prepare
        movzx   ecx, al
        shl     ecx, 9
        call    fd_dma_check
        jc      fd_boundary
.prepare:
        call    fd_prepare
        test    ah, ah
        jnz     fd_exit
        cmp     byte [bp + F_EAX + 1], 0x03
        jne     .seek
        call    fd_spin_up
.seek:  mov     ch, [bp + F_ECX + 1]
        mov     dh, [bp + F_EDX + 1]
        call    fd_seek
        test    ah, ah
        jnz     fd_exit
        mov     ah, [bp + F_EAX + 1]
        mov     byte [bp + FD_CMD], 0xE6        ; READ DATA, MT MFM SK
        mov     al, 0x46                        ; DMA: single, write to memory, channel 2
        cmp     ah, 0x02
        je      .dma
        mov     byte [bp + FD_CMD], 0xC5        ; WRITE DATA, MT MFM
        mov     al, 0x4A                        ; DMA: single, read from memory, channel 2
        cmp     ah, 0x03
        je      .dma
        mov     byte [bp + FD_CMD], 0xD6        ; VERIFY, MT MFM (no DMA)
        jmp     .cmd
.dma:   movzx   ecx, byte [bp + FD_COUNT]
        shl     ecx, 9
        call    fd_dma_setup
.cmd:   mov     al, [bp + F_EDX + 1]
        and     al, 1
        shl     al, 2
        or      al, bl
        cmp     byte [bp + F_EAX + 1], 0x04
        jne     .hd
        or      al, 0x80                        ; VERIFY's EC: SC sectors, not to EOT
.hd:    mov     [bp + FD_CMD + 1], al
        mov     al, [bp + F_ECX + 1]
        mov     [bp + FD_CMD + 2], al           ; C
        mov     al, [bp + F_EDX + 1]
        and     al, 1
        mov     [bp + FD_CMD + 3], al           ; H
        mov     al, [bp + F_ECX]
        and     al, 0x3F
        mov     [bp + FD_CMD + 4], al           ; R
        mov     al, 3
        call    fd_param
        mov     [bp + FD_CMD + 5], al           ; N
        call    fd_spt
        mov     [bp + FD_CMD + 6], al           ; EOT
        mov     al, 5
        call    fd_param
        mov     [bp + FD_CMD + 7], al           ; GPL
        mov     al, 6
        call    fd_param
        cmp     byte [bp + F_EAX + 1], 0x04
        jne     .dtl
        mov     al, [bp + FD_COUNT]             ; SC
.dtl:   mov     [bp + FD_CMD + 8], al
        mov     cx, 9
        call    fd_command
        test    ah, ah
        jnz     .error
        mov     al, [bp + FD_COUNT]
        mov     [bp + F_EAX], al
        jmp     fd_exit
.error: cmp     ah, 0x20
        jae     fd_exit                 ; controller failure or time-out: no result bytes
        push    ax
        call    fd_sectors_done
        mov     [bp + F_EAX], al
        pop     ax
        jmp     fd_exit

; fd_sectors_done: AL = the sectors a read, write or verify that ended in an error moved: the
; distance from the caller's C/H/R to the C/H/R of the result phase (the sector the command
; stopped at; 82077AA datasheet, result phase ID table), at most the count asked for.
fd_sectors_done:
        push    cx
        push    dx
        push    si
        call    fd_spt
        movzx   cx, al
        movzx   si, byte [FD_RESULT + 3]        ; C
        add     si, si
        movzx   dx, byte [FD_RESULT + 4]        ; H
        and     dl, 1
        add     si, dx
        imul    si, cx
        mov     dl, [FD_RESULT + 5]             ; R
        add     si, dx
        movzx   ax, byte [bp + F_ECX + 1]
        add     ax, ax
        mov     dl, [bp + F_EDX + 1]
        and     dl, 1
        add     ax, dx
        imul    ax, cx
        mov     dl, [bp + F_ECX]
        and     dl, 0x3F
        add     ax, dx
        sub     si, ax
        jns     .max
        xor     si, si
.max:   movzx   ax, byte [bp + FD_COUNT]
        cmp     si, ax
        jbe     .ret
        mov     si, ax
.ret:   mov     ax, si
        pop     si
        pop     dx
        pop     cx
        ret

fd_boundary:
        mov     ah, 0x09
        jmp     fd_exit

; 05h: format cylinder CH, head DH with the address fields (C, H, R, N per sector) at ES:BX;
; the sector count, N, gap and filler come from the INT 1Eh table, as on the PC/AT.
fd_fn_format:
        mov     al, 4
        call    fd_param
        mov     [bp + FD_COUNT], al
        movzx   ecx, al
        shl     ecx, 2
        call    fd_dma_check
        jc      fd_boundary
        call    fd_motor_on
        call    fd_check_change
        test    ah, ah
        jnz     fd_exit
        call    fd_recal_if_needed
        test    ah, ah
        jnz     fd_exit
        ; no media state from 17h/18h or an earlier access: the drive's own medium
        mov     al, [FD_MEDIA + bx]
        test    al, 0x10
        jnz     .rate
        call    fd_drive_type
        movzx   si, al
        mov     al, [cs:fd_type_state + si]
        mov     [FD_MEDIA + bx], al
.rate:  shr     al, 6
        call    fd_set_rate
        call    fd_spin_up
        mov     ch, [bp + F_ECX + 1]
        mov     dh, [bp + F_EDX + 1]
        call    fd_seek
        test    ah, ah
        jnz     fd_exit
        movzx   ecx, byte [bp + FD_COUNT]
        shl     ecx, 2
        mov     al, 0x4A
        call    fd_dma_setup
        mov     byte [bp + FD_CMD], 0x4D        ; FORMAT TRACK, MFM
        mov     al, [bp + F_EDX + 1]
        and     al, 1
        shl     al, 2
        or      al, bl
        mov     [bp + FD_CMD + 1], al
        mov     al, 3
        call    fd_param
        mov     [bp + FD_CMD + 2], al           ; N
        mov     al, [bp + FD_COUNT]
        mov     [bp + FD_CMD + 3], al           ; SC
        mov     al, 7
        call    fd_param
        mov     [bp + FD_CMD + 4], al           ; GPL for format
        mov     al, 8
        call    fd_param
        mov     [bp + FD_CMD + 5], al           ; filler byte
        mov     cx, 6
        call    fd_command
        jmp     fd_exit

; ---- helpers; BX = the drive (0 or 1), DS = the BDA ----

; fd_drive_type: AL = the CMOS 10h type of drive BX (0 when there is none).
fd_drive_type:
        xor     al, al
        cmp     bx, 1
        ja      .ret
        mov     al, 0x10
        call    cmos_read
        test    bx, bx
        jnz     .b
        shr     al, 4
.b:     and     al, 0x0F
        cmp     al, 5
        jbe     .ret
        xor     al, al                  ; a type this BIOS does not know
.ret:   ret

; fd_param: AL = an offset in the INT 1Eh diskette parameter table -> AL = its byte.
fd_param:
        push    es
        push    si
        push    bx
        xor     si, si
        mov     es, si
        les     si, [es:0x1E * 4]
        movzx   bx, al
        mov     al, [es:si + bx]
        pop     bx
        pop     si
        pop     es
        ret

; fd_spt: AL = the sectors per track of the medium established in drive BX.
fd_spt:
        mov     al, [FD_MEDIA + bx]
        shr     al, 6
        cmp     al, 3
        je      .m288
        test    al, al
        jz      .hd
        mov     al, 9                   ; 250 or 300 kbit/s: 360K, 720K
        ret
.m288:  mov     al, 36
        ret
.hd:    call    fd_drive_type
        cmp     al, 2
        mov     al, 15                  ; 1.2M
        je      .ret
        mov     al, 18                  ; 1.44M
.ret:   ret

; fd_set_rate: AL = a CCR data rate code (0 500, 1 300, 2 250 kbit/s, 3 1 Mbit/s); kept in 40:8B.
fd_set_rate:
        push    dx
        mov     dx, FD_DIR
        out     dx, al
        shl     al, 6
        and     byte [FD_RATE], 0x3F
        or      [FD_RATE], al
        pop     dx
        ret

; fd_out: AL to the FIFO once the controller asks for a command byte (MSR RQM set, DIO
; clear); CF set if it never does.
fd_out:
        push    dx
        push    ecx
        push    ax
        mov     dx, FD_MSR
        mov     ecx, 0x40000
.w:     in      al, dx
        and     al, 0xC0
        cmp     al, 0x80
        je      .ok
        dec     ecx
        jnz     .w
        pop     ax
        stc
        jmp     .ret
.ok:    pop     ax
        inc     dx
        out     dx, al
        clc
.ret:   pop     ecx
        pop     dx
        ret

; fd_in: AL = a result byte once the controller offers one (RQM and DIO set); CF set if not.
fd_in:
        push    dx
        push    ecx
        mov     dx, FD_MSR
        mov     ecx, 0x40000
.w:     in      al, dx
        and     al, 0xC0
        cmp     al, 0xC0
        je      .ok
        dec     ecx
        jnz     .w
        stc
        jmp     .ret
.ok:    inc     dx
        in      al, dx
        clc
.ret:   pop     ecx
        pop     dx
        ret

; fd_wait_irq: waits for INT 0Eh to set 40:3E bit 7, halting between interrupts, for at most
; FD_TIMEOUT timer ticks; clears the bit. CF set on a time-out.
fd_wait_irq:
        push    eax
        push    ebx
        push    cx
        mov     cx, FD_TIMEOUT
        mov     ebx, [0x6C]
.loop:  cli
        test    byte [FD_RECAL], 0x80
        jnz     .got
        mov     eax, [0x6C]
        cmp     eax, ebx
        je      .idle
        mov     ebx, eax
        dec     cx
        jz      .timeout
.idle:  sti                             ; STI's one-instruction delay: no interrupt is lost before HLT
        hlt
        jmp     .loop
.got:   and     byte [FD_RECAL], 0x7F
        sti
        clc
        jmp     .ret
.timeout:
        sti
        stc
.ret:   pop     cx
        pop     ebx
        pop     eax
        ret

; fd_wait_ticks: waits CX timer ticks (CX > 0).
fd_wait_ticks:
        push    eax
.tick:  mov     eax, [0x6C]
.same:  sti
        hlt
        cmp     eax, [0x6C]
        je      .same
        loop    .tick
        pop     eax
        ret

; fd_sense: SENSE INTERRUPT STATUS -> AL = ST0, AH = PCN; CF set if the controller fails.
fd_sense:
        mov     al, 0x08
        call    fd_out
        jc      .ret
        call    fd_in
        jc      .ret
        mov     ah, al
        call    fd_in
        xchg    al, ah
.ret:   ret

; fd_reset_controller: a reset through DOR bit 2, the four SENSE INTERRUPT STATUS the reset's
; polling interrupt asks for (82077AA datasheet, reset), and SPECIFY from the INT 1Eh table.
; Every drive is to be recalibrated again; motors off. AH = 00h, 20h or 80h.
fd_reset_controller:
        push    cx
        push    dx
        mov     byte [FD_RECAL], 0
        mov     byte [FD_MOTOR], 0
        mov     byte [FD_MOTOR_COUNT], 0
        mov     dx, FD_DOR
        mov     al, 0x08                ; DMA gate on, held in reset
        out     dx, al
        mov     al, 0x0C
        out     dx, al
        call    fd_wait_irq
        jc      .timeout
        mov     cx, 4
.sense: call    fd_sense
        jc      .failed
        loop    .sense
        mov     al, 0x03                ; SPECIFY: SRT/HUT, HLT with ND clear (DMA mode)
        call    fd_out
        jc      .failed
        xor     al, al
        call    fd_param
        call    fd_out
        jc      .failed
        mov     al, 1
        call    fd_param
        and     al, 0xFE
        call    fd_out
        jc      .failed
        xor     ah, ah
        jmp     .ret
.timeout:
        mov     ah, 0x80
        jmp     .ret
.failed:
        mov     ah, 0x20
.ret:   pop     dx
        pop     cx
        ret

; fd_recal: RECALIBRATE drive BX (twice if the head was past the 79 steps one command gives);
; AH = 00h, 20h, 40h or 80h.
fd_recal:
        push    cx
        mov     cx, 2
.try:   and     byte [FD_RECAL], 0x7F
        mov     al, 0x07
        call    fd_out
        jc      .failed
        mov     al, bl
        call    fd_out
        jc      .failed
        call    fd_wait_irq
        jc      .timeout
        call    fd_sense
        jc      .failed
        test    al, 0xD0                ; abnormal termination or equipment check
        jz      .ok
        loop    .try
        mov     ah, 0x40
        jmp     .ret
.ok:    mov     byte [FD_CYL + bx], 0
        mov     al, 1
        mov     cl, bl
        shl     al, cl
        or      [FD_RECAL], al
        xor     ah, ah
        jmp     .ret
.timeout:
        call    fd_reset_controller
        mov     ah, 0x80
        jmp     .ret
.failed:
        call    fd_reset_controller
        mov     ah, 0x20
.ret:   pop     cx
        ret

; fd_recal_if_needed: recalibrates drive BX unless 40:3E says it is; AH = the status.
fd_recal_if_needed:
        push    cx
        mov     al, 1
        mov     cl, bl
        shl     al, cl
        pop     cx
        xor     ah, ah
        test    [FD_RECAL], al
        jnz     .ret
        call    fd_recal
.ret:   ret

; fd_seek: drive BX's head to cylinder CH (DH = the head for the command); AH = the status.
fd_seek:
        xor     ah, ah
        cmp     [FD_CYL + bx], ch
        je      .ret
        and     byte [FD_RECAL], 0x7F
        mov     al, 0x0F
        call    fd_out
        jc      .failed
        mov     al, dh
        and     al, 1
        shl     al, 2
        or      al, bl
        call    fd_out
        jc      .failed
        mov     al, ch
        call    fd_out
        jc      .failed
        call    fd_wait_irq
        jc      .timeout
        call    fd_sense
        jc      .failed
        test    al, 0xC0
        jnz     .seek_error
        cmp     ah, ch
        jne     .seek_error
        mov     [FD_CYL + bx], ch
        xor     ah, ah
.ret:   ret
.seek_error:
        mov     byte [FD_RECAL], 0      ; the head is lost: recalibrate next time
        mov     ah, 0x40
        ret
.timeout:
        call    fd_reset_controller
        mov     ah, 0x80
        ret
.failed:
        call    fd_reset_controller
        mov     ah, 0x20
        ret

; fd_motor_on: selects drive BX with its motor on (DOR and 40:3F) and holds off the motor
; time-out; [BP + FD_MOTOR_WAS_OFF] = 1 when the motor had to be started.
fd_motor_on:
        push    cx
        push    dx
        mov     byte [FD_MOTOR_COUNT], 0xFF
        mov     cl, bl
        mov     al, 1
        shl     al, cl
        mov     byte [bp + FD_MOTOR_WAS_OFF], 0
        test    [FD_MOTOR], al
        jnz     .on
        mov     byte [bp + FD_MOTOR_WAS_OFF], 1
.on:    mov     ah, bl
        shl     ah, 4
        or      ah, al
        mov     [FD_MOTOR], ah
        shl     al, 4
        or      al, 0x0C
        or      al, bl
        mov     dx, FD_DOR
        out     dx, al
        pop     dx
        pop     cx
        ret

; fd_spin_up: before a write or a format, waits the table's motor start time (byte 10, in
; 1/8 s) if fd_motor_on started the motor.
fd_spin_up:
        cmp     byte [bp + FD_MOTOR_WAS_OFF], 0
        je      .ret
        mov     byte [bp + FD_MOTOR_WAS_OFF], 0
        push    cx
        mov     al, 10
        call    fd_param
        movzx   cx, al
        imul    cx, cx, 9               ; 1/8 s is 2.28 ticks: 9/4
        shr     cx, 2
        inc     cx
        call    fd_wait_ticks
        pop     cx
.ret:   ret

; fd_check_change: with drive BX selected, AH = 00h if its change line is inactive; otherwise
; the media state is forgotten and the line reset by stepping the head (seek to cylinder 1
; and back), then AH = 06h (media changed) if that reset it, or 80h when it stays active (no
; disk in the drive), as the PC/AT BIOS does.
fd_check_change:
        call    fd_drive_type
        xor     ah, ah
        cmp     al, 1                   ; 360K drives have no change line
        je      .ret
        mov     dx, FD_DIR
        in      al, dx
        test    al, 0x80
        jz      .ret
        mov     byte [FD_MEDIA + bx], 0
        call    fd_recal_if_needed
        test    ah, ah
        jnz     .ret
        push    cx
        push    dx
        mov     ch, 1
        xor     dh, dh
        call    fd_seek
        test    ah, ah
        jnz     .pop
        xor     ch, ch
        call    fd_seek
        test    ah, ah
        jnz     .pop
        mov     dx, FD_DIR
        in      al, dx
        mov     ah, 0x06
        test    al, 0x80
        jz      .pop
        mov     ah, 0x80
.pop:   pop     dx
        pop     cx
.ret:   ret

; fd_prepare: motor, change line, recalibration and the medium's data rate for drive BX;
; AH = the status.
fd_prepare:
        call    fd_motor_on
        call    fd_check_change
        test    ah, ah
        jnz     .ret
        call    fd_recal_if_needed
        test    ah, ah
        jnz     .ret
        call    fd_media
.ret:   ret

; fd_media: sets the data rate of the medium in drive BX, finding it first by READ ID at
; each rate the drive type allows when 40:90 has no established medium; AH = the status
; (80h when no disk answers, 0Ch when no rate reads it).
fd_media:
        mov     al, [FD_MEDIA + bx]
        test    al, 0x10
        jz      .probe
        shr     al, 6
        call    fd_set_rate
        xor     ah, ah
        ret
.probe: call    fd_drive_type
        movzx   si, al
        add     si, si
        mov     si, [cs:fd_probe_lists + si]
.next:  mov     al, [cs:si]
        cmp     al, 0xFF
        je      .none
        call    fd_set_rate
        push    si
        mov     byte [bp + FD_CMD], 0x4A        ; READ ID, MFM
        mov     al, bl
        mov     [bp + FD_CMD + 1], al
        mov     cx, 2
        call    fd_command
        pop     si
        cmp     ah, 0x80
        je      .ret
        test    ah, ah
        jz      .found
        add     si, 2
        jmp     .next
.found: mov     al, [cs:si + 1]
        mov     [FD_MEDIA + bx], al
        ret
.none:  mov     ah, 0x0C
.ret:   ret

; fd_command: sends the CX command bytes at [BP + FD_CMD], waits for the interrupt that ends
; the execution phase and reads the 7 result bytes to 40:42; AH = the status they give (a
; time-out resets the controller and forgets the medium: 80h).
fd_command:
        and     byte [FD_RECAL], 0x7F
        lea     si, [bp + FD_CMD]
.send:  mov     al, [ss:si]
        call    fd_out
        jc      .failed
        inc     si
        loop    .send
        call    fd_wait_irq
        jc      .timeout
        xor     si, si
.result:
        call    fd_in
        jc      .failed
        mov     [FD_RESULT + si], al
        inc     si
        cmp     si, 7
        jb      .result
        call    fd_result_status
        cmp     ah, 0x02                ; no address marks: maybe another medium, found again next time
        jne     .ret
        mov     byte [FD_MEDIA + bx], 0
.ret:   ret
.timeout:
        call    fd_reset_controller
        mov     byte [FD_MEDIA + bx], 0
        mov     ah, 0x80
        ret
.failed:
        call    fd_reset_controller
        mov     ah, 0x20
        ret

; fd_result_status: AH = the INT 13h status of the result bytes at 40:42 (ST0, ST1, ST2), by
; the 82077AA's status register bits.
fd_result_status:
        xor     ah, ah
        test    byte [FD_RESULT], 0xC0          ; ST0 IC: normal termination
        jz      .ret
        mov     al, [FD_RESULT + 1]             ; ST1
        mov     ah, 0x03
        test    al, 0x02                        ; NW
        jnz     .ret
        mov     ah, 0x10
        test    al, 0x20                        ; DE
        jnz     .ret
        mov     ah, 0x08
        test    al, 0x10                        ; OR
        jnz     .ret
        mov     ah, 0x04
        test    al, 0x84                        ; EN, ND
        jnz     .ret
        mov     ah, 0x02
        test    al, 0x01                        ; MA
        jnz     .ret
        mov     ah, 0x04
        test    byte [FD_RESULT + 2], 0x12      ; ST2 WC, BC: a wrong cylinder
        jnz     .ret
        mov     ah, 0x20
.ret:   ret

; fd_dma_check: CF set if ECX bytes from the caller's ES:BX cross a 64 KiB boundary, which
; the 8237's 16-bit address counter cannot (the page register does not count).
fd_dma_check:
        push    eax
        push    edx
        movzx   eax, word [bp + F_ES]
        shl     eax, 4
        movzx   edx, word [bp + F_EBX]
        add     eax, edx
        and     eax, 0xFFFF
        add     eax, ecx
        cmp     eax, 0x10000
        cmc                             ; CF = EAX > 10000h
        jnc     .ret
        jne     .ret
        clc                             ; exactly to the boundary fits
.ret:   pop     edx
        pop     eax
        ret

; fd_dma_setup: DMA channel 2 in mode AL for ECX bytes at the caller's ES:BX (8237A
; datasheet: mask, clear the byte pointer flip-flop, mode, address, count - 1; page 81h).
fd_dma_setup:
        push    eax
        push    edx
        mov     ah, al
        mov     al, 0x06                ; mask channel 2
        out     0x0A, al
        out     0x0C, al                ; flip-flop to the low byte
        mov     al, ah
        out     0x0B, al
        movzx   eax, word [bp + F_ES]
        shl     eax, 4
        movzx   edx, word [bp + F_EBX]
        add     eax, edx
        out     0x04, al
        mov     al, ah
        out     0x04, al
        shr     eax, 16
        out     0x81, al
        mov     eax, ecx
        dec     eax
        out     0x05, al
        mov     al, ah
        out     0x05, al
        mov     al, 0x02                ; unmask channel 2
        out     0x0A, al
        pop     edx
        pop     eax
        ret

; ---- tables ----

; By CMOS drive type (0-5): the last cylinder and sectors per track of the drive's largest
; medium, its parameter table, its media state for a format, and the (rate, media state)
; pairs READ ID tries, largest medium first.
fd_type_cyls:   db      0, 39, 79, 79, 79, 79
fd_type_spt:    db      0, 9, 15, 9, 18, 36
fd_type_table:  dw      0, fd_params_360, fd_params_1200, fd_params_720, diskette_params, fd_params_2880
fd_type_state:  db      0, 0x93, 0x15, 0x97, 0x17, 0xD7
fd_probe_lists: dw      fd_probe_none, fd_probe_360, fd_probe_1200, fd_probe_720, fd_probe_1440, fd_probe_2880
fd_probe_none:  db      0xFF
fd_probe_360:   db      2, 0x93, 0xFF
fd_probe_1200:  db      0, 0x15, 0xFF
fd_probe_720:   db      2, 0x97, 0xFF
fd_probe_1440:  db      0, 0x17, 2, 0x97, 0xFF
fd_probe_2880:  db      3, 0xD7, 0, 0x17, 2, 0x97, 0xFF

; 18h: drive type, last cylinder and sectors (as CX: CH cylinder, CL sectors), media state,
; parameter table; ends with a 0 type.
fd_media_kinds:
        db      1
        dw      0x2709
        db      0x93
        dw      fd_params_360
        db      2
        dw      0x4F0F
        db      0x15
        dw      fd_params_1200
%assign t 3
%rep 3
        db      t
        dw      0x4F09
        db      0x97
        dw      fd_params_720
%assign t t + 1
%endrep
%assign t 4
%rep 2
        db      t
        dw      0x4F12
        db      0x17
        dw      diskette_params
%assign t t + 1
%endrep
        db      5
        dw      0x4F24
        db      0xD7
        dw      fd_params_2880
        db      0

; Diskette parameter tables (the layout of the one at F000:EFC7): step rate/head unload,
; head load/DMA, motor-off delay (ticks), N, sectors per track, gap, data length, format gap,
; format filler, head settle (ms), motor start (1/8 s).
fd_params_360:  db      0xDF, 0x02, 0x25, 0x02, 9, 0x2A, 0xFF, 0x50, 0xF6, 0x0F, 0x08
fd_params_1200: db      0xDF, 0x02, 0x25, 0x02, 15, 0x1B, 0xFF, 0x54, 0xF6, 0x0F, 0x08
fd_params_720:  db      0xDF, 0x02, 0x25, 0x02, 9, 0x2A, 0xFF, 0x50, 0xF6, 0x0F, 0x08
fd_params_2880: db      0xAF, 0x02, 0x25, 0x02, 36, 0x1B, 0xFF, 0x53, 0xF6, 0x0F, 0x08
